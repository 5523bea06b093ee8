import { exitCodes, UsageError } from './cli-error';
import { render } from './render';
import { paintDiffLine, type Terminal } from './terminal';

export interface RenderOptions {
  config?: string;
  cluster?: string;
  iam?: string;
  current?: string;
  force?: boolean;
  output: 'text' | 'json';
}

/** The options a command cannot run without; checked after commander, so an unknown option is named first. */
export function required<T extends object, K extends keyof T & string>(
  command: string,
  options: T,
  names: K[],
): T & Required<Pick<T, K>> {
  const missing = names.filter((n) => options[n] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `${command} needs ${missing.map((n) => `--${n}`).join(', ')} (add --help for usage)`,
    );
  }
  return options as T & Required<Pick<T, K>>;
}

/** `render`: the next ConfigMap on stdout, the diff on stderr (text or JSON); nothing on stdout when refused. */
export function renderCommand(given: RenderOptions, terminal: Terminal): number {
  const options = required('render', given, ['config', 'cluster', 'iam']);
  const out = render({
    config: options.config,
    cluster: options.cluster,
    iam: options.iam,
    ...(options.current ? { current: options.current } : {}),
    force: options.force === true,
  });
  if (options.output === 'json') {
    terminal.err(`${JSON.stringify({ diff: out.diff, ...(out.refusal ? { refusal: out.refusal } : {}) })}\n`);
  } else {
    for (const line of out.diff) terminal.err(`${paintDiffLine(terminal.colour.err, line)}\n`);
    if (out.diff.length === 0) terminal.err('no changes\n');
  }
  if (out.refusal) return exitCodes.refused;
  terminal.out(out.configMap);
  return exitCodes.ok;
}
