/** Colours of run and batch states, shared by the runs pages. */
export const RUN_COLOR = { running: "blue", completed: "green", failed: "red" } as const;

export const BATCH_COLOR: Record<string, string> = {
  planned: "gray",
  sending: "blue",
  sent: "green",
  failed: "red",
  unknown: "orange",
  expired: "red",
  abandoned: "dark",
};

/** An ISO time as the browser's locale writes it, or a dash. */
export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString() : "–";
