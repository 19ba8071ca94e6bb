// The generated grammars with their schema models, for tests that iterate over all of them.

import type { ExiGrammar } from '../../../drivers/exi/index.ts';
import type { SchemaModel } from '../../../drivers/exi/schema-model.ts';
import * as app from '../../../drivers/exi/generated/app-model.ts';
import * as cm from '../../../drivers/exi/generated/cm-model.ts';
import * as dc from '../../../drivers/exi/generated/dc-model.ts';
import * as din from '../../../drivers/exi/generated/din-model.ts';
import * as iso2 from '../../../drivers/exi/generated/iso2-model.ts';

export const GRAMMAR_MODELS: Array<{ grammar: ExiGrammar; model: SchemaModel; messages: readonly string[] }> = [
  { grammar: 'app', model: app.model, messages: app.MESSAGE_ROOTS },
  { grammar: 'cm', model: cm.model, messages: cm.MESSAGE_ROOTS },
  { grammar: 'dc', model: dc.model, messages: dc.MESSAGE_ROOTS },
  // DIN / -2 messages are Body elements; as EXI documents they are also global roots of their own.
  { grammar: 'din', model: din.model, messages: din.MESSAGE_ROOTS },
  { grammar: 'iso2', model: iso2.model, messages: iso2.MESSAGE_ROOTS },
];
