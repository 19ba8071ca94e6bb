// What every emulated SCPI unit does alike: an error queue and the IEEE 488.2 common commands (*IDN?, *OPC?,
// *CLS, *RST, and the class's error query). A unit says what its identity, its empty-queue reply and its
// reset are, and answers its own commands (get for queries, set for settings).

export abstract class ScpiUnit<A extends string> {
  protected errors: string[] = [];

  /** `noError`: how the class words an empty error queue ('+0,"No error"', '0,"No error"'). */
  constructor(private readonly noError: string) {}

  /** The *IDN? reply. */
  protected abstract identity(): string;
  /** What *RST puts back (the error queue is *CLS's). */
  protected abstract reset(): void;
  protected abstract get(a: A, arg: string): string | undefined;
  protected abstract set(a: A, arg: string): void;

  /** A command matched to its action: the common ones answered here, the unit's own by get / set. */
  protected dispatch(a: A, arg: string, query: boolean): string | undefined {
    if (query && a === 'idn') return this.identity();
    if (query && a === 'opc') return '1';
    if (query && a === 'error') return this.errors.shift() ?? this.noError;
    if (!query && a === 'cls') this.errors = [];
    else if (!query && a === 'rst') this.reset();
    else return query ? this.get(a, arg) : void this.set(a, arg);
    return undefined;
  }
}
