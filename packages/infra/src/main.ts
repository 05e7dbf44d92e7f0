import './user-errors';
import { createApp } from './app';

// Each image's commit (its GIT_SHA build argument) comes from git: the last commit that changed its build.
createApp().synth();
