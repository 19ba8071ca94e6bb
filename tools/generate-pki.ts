// Generate the test PKI (fixtures/pki/recipe.yaml → fixtures/pki/generated/, git-ignored) and print where.
//   npx tsx tools/generate-pki.ts
import { ensureTestPki } from '../drivers/iso15118/test-pki.ts';

const p = await ensureTestPki();
console.log(JSON.stringify(p, null, 2));
