import { createApp } from './app';

// The commit reaches the images as GIT_SHA: the pipeline's synth step sets it
// from the source action; a direct deploy passes it from `git rev-parse HEAD`.
createApp({ gitSha: process.env.GIT_SHA || undefined }).synth();
