import { sandboxDown, sandboxUp } from './sandbox';

const command = process.argv[2];
try {
  if (command === 'up') await sandboxUp();
  else if (command === 'down') await sandboxDown();
  else {
    console.error('usage: sandbox up|down');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`sandbox ${command}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
