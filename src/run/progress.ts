// Progress for long proof-of-work solves: only on a TTY, only after a second, on one rewritten line.

export function progressPrinter(write: (text: string) => void, isTTY = Boolean(process.stderr.isTTY)) {
  let shown = false;
  return {
    update(p: { hashes: number; elapsedMs: number; rate: number; etaMs: number }): void {
      if (!isTTY || p.elapsedMs < 1000) return;
      shown = true;
      const rate = (p.rate / 1e6).toFixed(1);
      const eta = Number.isFinite(p.etaMs) ? `~${Math.max(0, Math.round(p.etaMs / 1000))}s left (expected)` : "";
      write(`\rpulumi-agent: solving the signup proof of work: ${(p.hashes / 1e6).toFixed(1)} M hashes at ${rate} MH/s ${eta}\x1b[K`);
    },
    done(): void {
      if (shown) write("\r\x1b[K");
    },
  };
}
