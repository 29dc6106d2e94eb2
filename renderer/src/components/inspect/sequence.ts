// Sequence numbers for live requests: every request takes the next number, and an answer is shown only when no
// answer to a later request is already on screen, and nothing invalidated it meanwhile (the drawing was cleared,
// the input changed to another kind). So a slow answer never replaces a newer one.
export class SequenceGate {
  private issued = 0;
  private shown = 0;
  /** Answers to numbers at or below this were invalidated. */
  private floor = 0;

  /** The number of a request about to be sent. */
  issue(): number {
    return ++this.issued;
  }

  /** Whether the answer to request `seq` may be shown; if so it becomes the one on screen. */
  accept(seq: number): boolean {
    if (seq <= this.floor || seq <= this.shown || seq > this.issued) return false;
    this.shown = seq;
    return true;
  }

  /** Whether request `seq` is still the latest sent (its answer is not already outdated by another request). */
  isLatest(seq: number): boolean {
    return seq === this.issued && seq > this.floor;
  }

  /** Drops every answer to a request sent so far. */
  invalidate(): void {
    this.floor = this.issued;
  }

  /** The number of the answer on screen (0: none yet). */
  get current(): number {
    return this.shown > this.floor ? this.shown : 0;
  }
}
