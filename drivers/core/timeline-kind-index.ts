// The seqs of each kind's events held in the timeline's memory, ascending: a query for one kind (a suite
// polling for the next GB/T message every 10 ms, say) walks that kind's events only, not every sample block
// and frame recorded since its window began.

export class KindIndex {
  private readonly byKind = new Map<string, number[]>();

  add(kind: string, seq: number): void {
    let seqs = this.byKind.get(kind);
    if (!seqs) this.byKind.set(kind, (seqs = []));
    seqs.push(seq);
  }

  /** This kind's seqs, and the position of the first one after `afterSeq` (the caller walks on from there). */
  after(kind: string, afterSeq: number): { seqs: readonly number[]; from: number } {
    const seqs = this.byKind.get(kind) ?? [];
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid] > afterSeq) hi = mid;
      else lo = mid + 1;
    }
    return { seqs, from: lo };
  }

  /** Forget the seqs before `oldest` (no longer in memory); called as rarely as the memory is compacted. */
  dropBefore(oldest: number): void {
    for (const [kind, seqs] of this.byKind) {
      const { from } = this.after(kind, oldest - 1);
      if (from === seqs.length) this.byKind.delete(kind);
      else if (from > 0) this.byKind.set(kind, seqs.slice(from));
    }
  }
}
