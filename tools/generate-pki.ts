// Generate the test PKIs and print where: ISO 15118-20's (fixtures/pki/recipe.yaml, secp521r1) and ISO 15118-2's
// (fixtures/pki/recipe-iso2.yaml, secp256r1), each into fixtures/pki/generated/ (git-ignored).
//   npx tsx tools/generate-pki.ts
import { iso2TestPki } from '../drivers/iso15118/ccs/tls.ts';
import { ensureTestPki } from '../drivers/iso15118/test-pki.ts';

const iso20 = await ensureTestPki();
const iso2 = await iso2TestPki();
console.log(JSON.stringify({ 'iso15118-20': iso20, 'iso15118-2': iso2 }, null, 2));
