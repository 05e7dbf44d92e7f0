// The page's entry point: index.html loads it as a module (deferred), so the markup is already parsed.
import { createApiClient } from './api';
import { startStatusPage } from './status-page';

startStatusPage(document, { api: createApiClient() });
