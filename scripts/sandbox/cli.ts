import { sandboxDown, sandboxUp } from './sandbox';
import { seedSandbox } from './seed';

const command = process.argv[2];
try {
  if (command === 'up') {
    const flag = process.argv.indexOf('--clusters');
    const clusters = flag > 0 ? Number(process.argv[flag + 1]) : 1;
    await seedSandbox(await sandboxUp(undefined, undefined, { clusters }));
    console.error(
      'seeded from examples/sandbox/access.yaml: IAM groups and users, and an aws-auth with node roles',
    );
  } else if (command === 'down') await sandboxDown();
  else {
    console.error('usage: sandbox up [--clusters N] | down');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`sandbox ${command}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
