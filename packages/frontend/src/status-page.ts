import type { ApiClient, Greeting, VersionInfo } from './api';
import { describeProblem, Problem } from './problem';

/** Options for {@link startStatusPage}. */
export interface StatusPageOptions {
  /** The API the page reports on. */
  readonly api: ApiClient;
  /**
   * Time between two health checks, in milliseconds.
   * @default 15000
   */
  readonly healthIntervalMs?: number;
}

/** A running status page. */
export interface StatusPage {
  /** Stops the periodic health checks. */
  stop(): void;
}

/** Form field paths of the greeting request, labelled as the form labels them. */
const GREETING_FIELDS = { name: 'Your name' } as const;

const PAGE_TITLE = 'Status · Slipway';

/**
 * Fills in the status page (the markup of index.html) from the API: the
 * environment banner, version, live health, and the greeting form.
 *
 * Text only ever goes in through `textContent`, never as HTML, so nothing the
 * API or a visitor sends can become markup (and the CSP can require Trusted Types).
 */
export function startStatusPage(document: Document, options: StatusPageOptions): StatusPage {
  const healthIntervalMs = options.healthIntervalMs ?? 15_000;
  const { api } = options;
  const find = elementFinder(document);

  const banner = find('environment-banner', HTMLElement);
  const environmentName = find('environment-name', HTMLElement);
  const version = find('api-version', HTMLElement);
  const gitSha = find('api-git-sha', HTMLElement);
  const startedAt = find('api-started-at', HTMLElement);
  const versionProblem = find('version-problem', HTMLElement);
  const health = find('health', HTMLElement);
  const healthChecked = find('health-checked', HTMLElement);
  const form = find('greeting-form', HTMLFormElement);
  const nameInput = find('greeting-name', HTMLInputElement);
  const nameError = find('greeting-name-error', HTMLElement);
  const result = find('greeting-result', HTMLElement);
  const nameDescribedBy = nameInput.getAttribute('aria-describedby') ?? '';

  async function showVersion(): Promise<void> {
    const answer = await api.version();
    if (answer.ok) {
      renderVersion(answer.value);
    } else {
      renderVersionProblem(answer.problem);
    }
  }

  function renderVersion(info: VersionInfo): void {
    const name = info.environment.toUpperCase();
    banner.dataset.environment = info.environment.toLowerCase();
    environmentName.textContent = name;
    document.title = `${name} · ${PAGE_TITLE}`;
    version.textContent = info.version;
    gitSha.textContent = info.gitSha;
    const started = new Date(info.startedAt);
    if (Number.isNaN(started.getTime())) {
      startedAt.textContent = info.startedAt;
    } else {
      const time = document.createElement('time');
      time.dateTime = started.toISOString();
      time.textContent = started.toLocaleString();
      startedAt.replaceChildren(time);
    }
    versionProblem.hidden = true;
  }

  function renderVersionProblem(problem: Problem): void {
    banner.dataset.environment = 'unknown';
    environmentName.textContent = 'UNKNOWN';
    for (const field of [version, gitSha, startedAt]) field.textContent = 'not available';
    versionProblem.textContent = `Could not read the API version. ${describeProblem(problem).summary}`;
    versionProblem.hidden = false;
  }

  let healthTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function checkHealth(): Promise<void> {
    const answer = await api.health();
    if (stopped) return;
    const [state, text] = answer.ok
      ? answer.value.status === 'ok'
        ? ['ok', 'Healthy']
        : ['failing', `Unhealthy: the API reports "${answer.value.status}"`]
      : [answer.problem.status === undefined ? 'unreachable' : 'failing', describeProblem(answer.problem).summary];
    // Rewriting unchanged text would make screen readers announce the same status every interval.
    if (health.dataset.health !== state || health.textContent !== text) {
      health.dataset.health = state;
      health.textContent = text;
    }
    healthChecked.textContent = `checked at ${new Date().toLocaleTimeString()}`;
    healthTimer = setTimeout(() => void checkHealth(), healthIntervalMs);
  }

  let sending = false;

  async function sendGreeting(): Promise<void> {
    if (sending) return;
    sending = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const answer = await api.createGreeting(nameInput.value);
      if (answer.ok) {
        renderGreeting(answer.value);
      } else {
        renderGreetingProblem(answer.problem);
      }
    } finally {
      sending = false;
      form.removeAttribute('aria-busy');
    }
  }

  function renderGreeting(greeting: Greeting): void {
    setNameError(undefined);
    const message = paragraph('result__greeting', greeting.greeting);
    result.dataset.outcome = 'success';
    result.replaceChildren(message);
  }

  function renderGreetingProblem(problem: Problem): void {
    const description = describeProblem(problem, GREETING_FIELDS);
    setNameError(description.fieldMessages.get('name'));
    const parts: HTMLElement[] = [paragraph('result__summary', description.summary)];
    if (description.otherMessages.length > 0) {
      const list = document.createElement('ul');
      list.append(...description.otherMessages.map((line) => listItem(line)));
      parts.push(list);
    }
    if (description.reference) parts.push(paragraph('result__reference', description.reference));
    result.dataset.outcome = 'problem';
    result.replaceChildren(...parts);
    if (description.fieldMessages.has('name')) nameInput.focus();
  }

  function setNameError(message: string | undefined): void {
    nameError.textContent = message ?? '';
    nameError.hidden = message === undefined;
    if (message === undefined) {
      nameInput.removeAttribute('aria-invalid');
      nameInput.setAttribute('aria-describedby', nameDescribedBy);
    } else {
      nameInput.setAttribute('aria-invalid', 'true');
      nameInput.setAttribute('aria-describedby', `${nameDescribedBy} ${nameError.id}`.trim());
    }
  }

  function paragraph(className: string, text: string): HTMLParagraphElement {
    const element = document.createElement('p');
    element.className = className;
    element.textContent = text;
    return element;
  }

  function listItem(text: string): HTMLLIElement {
    const element = document.createElement('li');
    element.textContent = text;
    return element;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendGreeting();
  });
  void showVersion();
  void checkHealth();

  return {
    stop() {
      stopped = true;
      clearTimeout(healthTimer);
    },
  };
}

/** Looks elements up by id and type, failing loudly when index.html and this code disagree. */
function elementFinder(document: Document) {
  return <T extends HTMLElement>(id: string, type: abstract new () => T): T => {
    const element = document.getElementById(id);
    if (!(element instanceof type)) {
      throw new Error(
        `Status page: index.html has no <${type.name}> with id "${id}"; keep src/index.html and src/status-page.ts in step.`,
      );
    }
    return element;
  };
}
