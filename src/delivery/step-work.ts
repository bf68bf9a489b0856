/**
 * What each step of the nightly run does. Every step can be repeated: a file already imported is
 * a no-change step, the model run of the date is reused, a frozen occurrence is not frozen again,
 * a batch handed over is not handed over again.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import { importCustomerSnapshot } from "../customers/import-customers.ts";
import { importTransactionsFile } from "../customers/import-transactions.ts";
import { collectSendMetrics } from "../metrics/collect.ts";
import { runCustomerModel } from "../model/run/run.ts";
import { syncMessages } from "../sfmc/sync.ts";
import { recordGroupSizes } from "../targeting/group-sizes.ts";
import { todayIn } from "../time/zones.ts";
import { deliverNight } from "./deliver.ts";
import { freezeNight } from "./freeze.ts";
import { nightOccurrences } from "./night.ts";
import type { RunContext } from "./nightly-run.ts";
import { purgeExpiredLists } from "./retention.ts";
import type { NightStep, StepResult, StepWork } from "./run-steps.ts";

/** The day's file of `kind` in the drop folder (`.csv`, else `.csv.gz`), or null. */
async function dayFile(
  context: RunContext,
  kind: "customers" | "transactions",
): Promise<{ file: string | null; names: string }> {
  const { app, date } = context;
  const folder = app.config.imports.dropFolder as string;
  const base = path.resolve(path.dirname(app.loaded.file), folder);
  const names = `${kind}-${date}.csv[.gz]`;
  for (const name of [`${kind}-${date}.csv`, `${kind}-${date}.csv.gz`]) {
    const file = path.join(base, name);
    try {
      await access(file);
      return { file, names: path.join(base, names) };
    } catch {
      // Not this one.
    }
  }
  return { file: null, names: path.join(base, names) };
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The import of the day's file of `kind`, or the step's no-op when there is nothing to import. */
function importStep(kind: "customers" | "transactions"): StepWork {
  return {
    stops: false,
    async run(context): Promise<StepResult> {
      const { app, date } = context;
      if (app.config.imports.dropFolder === null)
        return { status: "skipped", note: "no drop folder is configured (imports.dropFolder)" };
      const { file, names } = await dayFile(context, kind);
      if (file === null) {
        const note = `no file ${names}`;
        if (app.config.schedule.requireFreshData)
          return {
            note,
            stop: `waited for ${names}, which is not there; schedule.requireFreshData stops the night before freezing any list`,
          };
        return { status: "no_file", note };
      }
      const sha256 = await sha256Of(file);
      let earlier = app.db.kysely
        .selectFrom("imports")
        .select("id")
        .where("kind", "=", kind)
        .where("file_sha256", "=", sha256);
      // A snapshot is of its date: the same bytes on the next day are that day's snapshot
      // (every customer unchanged), and recording it keeps the history's dates right.
      if (kind === "customers") earlier = earlier.where("import_date", "=", date);
      const before = await earlier.executeTakeFirst();
      if (before)
        return {
          status: "skipped",
          counts: { importId: Number(before.id) },
          note: `${path.basename(file)} was already imported (import #${before.id}): no change`,
        };
      if (kind === "customers") {
        const result = await importCustomerSnapshot(app, { path: file, date });
        return {
          counts: {
            importId: result.importId,
            rows: result.rows,
            inserted: result.inserted,
            updated: result.updated,
            unchanged: result.unchanged,
            removed: result.removed,
          },
          note: path.basename(file),
        };
      }
      const result = await importTransactionsFile(app, { path: file });
      return {
        counts: {
          importId: result.importId,
          rows: result.rows,
          inserted: result.inserted,
          unchanged: result.unchanged,
          unknownContacts: result.unknownContacts,
        },
        note: path.basename(file),
      };
    },
  };
}

/** What each step does. */
export const STEP_WORK: Record<NightStep, StepWork> = {
  sync: {
    stops: false,
    async run({ app, actor }): Promise<StepResult> {
      if (app.sfmc.length === 0)
        return { status: "skipped", note: "no SFMC account is configured (sfmc.accounts)" };
      const result = await syncMessages(app, actor);
      return {
        counts: { accounts: result.accounts, ...result.messages, problems: result.problems.length },
      };
    },
  },
  "import-customers": importStep("customers"),
  "import-transactions": importStep("transactions"),
  model: {
    stops: false,
    async run({ app, date }): Promise<StepResult> {
      const db = app.db.kysely;
      const any = await db.selectFrom("transactions").select("contact_key").limit(1).execute();
      if (any.length === 0)
        return { status: "skipped", note: "no transactions are imported: nothing to model" };
      const latest = await db
        .selectFrom("model_runs")
        .select(["id", "run_date"])
        .orderBy("run_date", "desc")
        .orderBy("id", "desc")
        .executeTakeFirst();
      if (latest && latest.run_date === date)
        return {
          status: "skipped",
          counts: { modelRunId: Number(latest.id) },
          note: `the model run of ${date} (#${latest.id}) is reused`,
        };
      if (latest && latest.run_date > date)
        return {
          status: "skipped",
          note: `the latest model run is of ${latest.run_date}, after ${date}: no earlier run is made`,
        };
      const result = await runCustomerModel(app, { date });
      return {
        counts: { modelRunId: result.runId, customers: result.customers, buyers: result.buyers },
      };
    },
  },
  "group-sizes": {
    stops: false,
    async run({ app, date }): Promise<StepResult> {
      return { counts: { targetGroups: await recordGroupSizes(app, date) } };
    },
  },
  plan: {
    stops: true,
    async run({ app, date }): Promise<StepResult> {
      const night = await nightOccurrences(app, date);
      return {
        counts: {
          occurrences: night.length,
          frozen: night.filter((o) => o.frozenId !== null).length,
          campaigns: new Set(night.map((o) => o.campaign.id)).size,
        },
      };
    },
  },
  freeze: {
    stops: true,
    async run({ app, date, hooks }): Promise<StepResult> {
      const result = await freezeNight(app, { date, hooks });
      const skipped = result.skipped.map((s) => `campaign #${s.campaignId}: ${s.reason}`);
      return {
        counts: {
          frozen: result.frozen.length,
          alreadyFrozen: result.alreadyFrozen,
          recipients: result.frozen.reduce((n, o) => n + o.test, 0),
          control: result.frozen.reduce((n, o) => n + o.control, 0),
          batches: result.frozen.reduce((n, o) => n + o.batches, 0),
          skipped: result.skipped.length,
        },
        ...(skipped.length > 0 ? { note: skipped.join("; ") } : {}),
      };
    },
  },
  deliver: {
    stops: true,
    async run(context): Promise<StepResult> {
      const { app, date, runId, hooks, signal } = context;
      const result = await deliverNight(app, {
        date,
        runId,
        hooks,
        ...(signal ? { signal } : {}),
        onProgress: (accounts) => context.onEvent({ type: "delivery", accounts }),
      });
      return {
        counts: {
          handled: result.handled,
          sent: result.sent,
          failed: result.failed,
          unknown: result.unknown,
          expired: result.expired,
          late: result.late,
          recoveredUnknown: context.recovered,
        },
      };
    },
  },
  metrics: {
    stops: false,
    async run({ app, date, signal }): Promise<StepResult> {
      // A run of a future night (allowed, e.g. to send ahead) collects nothing: day k is the
      // collection made on day k.
      if (date > todayIn(app.config.schedule.timeZone, app.clock))
        return {
          status: "skipped",
          note: `${date} is after today: no delivery report is collected`,
        };
      const result = await collectSendMetrics(app, { date, signal });
      if (result.due === 0)
        return { status: "skipped", note: "no sent batch's delivery report is due" };
      const [first] = result.failures;
      return {
        counts: { due: result.due, collected: result.collected, failed: result.failed },
        // A failed call is asked again at the next collection, so the night goes on.
        ...(first
          ? {
              note: `${result.failed} report${result.failed === 1 ? "" : "s"} could not be collected (asked again at the next collection), e.g. batch #${first.batchId}: ${first.error}`,
            }
          : {}),
      };
    },
  },
  retention: {
    stops: false,
    async run({ app }): Promise<StepResult> {
      const purged = await purgeExpiredLists(app);
      return purged.occurrences === 0
        ? { status: "skipped", note: "no recipient list is past its retention" }
        : { counts: { ...purged } };
    },
  },
};
