// `npm run lint` checks docs/openapi.yaml with Redocly's recommended rules: any problem, even a
// warning, fails it, so the document integrators read stays valid OpenAPI 3.1.
import { createConfig, lint } from '@redocly/openapi-core';

const DOCUMENT = 'docs/openapi.yaml';
const problems = await lint({
  ref: DOCUMENT,
  config: await createConfig({ extends: ['recommended'] }),
});
for (const problem of problems) {
  const where = problem.location[0]?.pointer ?? '';
  process.stderr.write(
    `${DOCUMENT} ${where}: ${problem.severity} ${problem.ruleId}: ${problem.message}\n`,
  );
}
process.stdout.write(
  `${DOCUMENT}: ${problems.length === 0 ? 'valid, no lint problems' : `${problems.length} problems`}\n`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
