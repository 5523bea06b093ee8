import { runCli } from './program';
import { processTerminal } from './terminal';

process.exitCode = await runCli(process.argv.slice(2), processTerminal());
