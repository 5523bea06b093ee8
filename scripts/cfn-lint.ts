import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requireTools } from './sandbox/tools';
import { pythonVenv } from './sandbox/venv';

/** cfn-lint over the CloudFormation templates `serverless package` wrote into the given folders. */
const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: cfn-lint <package folder>…');
  process.exit(2);
}
requireTools(['python3']);
const bin = pythonVenv(resolve(import.meta.dirname, '../test/cfn-lint/requirements.txt'));
const templates = folders.map((f) => join(f, 'cloudformation-template-update-stack.json'));
const missing = templates.filter((t) => !existsSync(t));
if (missing.length > 0) {
  console.error(`no template at ${missing.join(', ')}: run serverless package first`);
  process.exit(2);
}
// W3005: the framework adds a DependsOn on the function's role beside the GetAtt it already has;
// redundant, harmless, and not ours to change.
const result = spawnSync(join(bin, 'cfn-lint'), ['--ignore-checks', 'W3005', '--', ...templates], {
  stdio: 'inherit',
});
if (result.status === 0) console.error(`cfn-lint: ${templates.length} templates clean`);
process.exit(result.status ?? 1);
