import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { Option } from "commander";
import { stringify } from "csv-stringify";
import { cliActor } from "../../audit/audit.ts";
import { CAMPAIGN_STATUSES, type CampaignStatus } from "../../campaigns/campaign-input.ts";
import {
  type Campaign,
  createCampaign,
  duplicateCampaign,
  getCampaign,
  listCampaigns,
  updateCampaign,
} from "../../campaigns/campaigns.ts";
import { changeCampaignStatusNoting } from "../../delivery/campaign-status.ts";
import { type RecipientRow, recipientsExport } from "../../delivery/recipients-export.ts";
import { testSend } from "../../delivery/test-send.ts";
import { ReportedFailure } from "../../errors.ts";
import type { CommandContext } from "../context.ts";
import { readJsonFile } from "../json-file.ts";
import { parseDate } from "../options.ts";
import { count, type Output } from "../output.ts";
import { parseId } from "./target-groups.ts";

type Json = { json?: boolean };

const campaignLine = (c: Campaign) =>
  `#${c.id}  ${c.name}  [${c.status}]  priority ${c.priority}${c.exclusive ? "" : " (not exclusive)"}  group #${c.targetGroupId}  ${c.schedule.type} at ${c.sendTime} ${c.timeZone}  control ${c.controlGroupPercent}%${c.nextOccurrence ? `  next ${c.nextOccurrence.date}` : ""}`;

function saved(
  out: Output,
  verb: string,
  result: { campaign: Campaign; warnings: string[] },
): void {
  for (const warning of result.warnings) out.warn(warning);
  out.result(
    { ...result.campaign, warnings: result.warnings },
    () =>
      `${verb} campaign #${result.campaign.id} "${result.campaign.name}" (${result.campaign.status}).`,
  );
}

/** `nightjar campaigns …`: create, change, pause, resume, archive and list campaigns. */
export function registerCampaigns(program: Command, context: CommandContext): void {
  const campaigns = program
    .command("campaigns")
    .description("campaigns: a push message of an app, to a target group, on a schedule");

  campaigns
    .command("create")
    .description("save a campaign from a JSON file (see the README for its fields)")
    .requiredOption("--file <path>", "the campaign as JSON (- for stdin)")
    .option("--json", "print the campaign (with its id and warnings) as one JSON line")
    .action(async (options: Json & { file: string }, command: Command) => {
      const out = context.output(options.json);
      const body = await readJsonFile(context.io, options.file, context.resolve);
      await context.withApp(command, async (app) =>
        saved(out, "Saved", await createCampaign(app, cliActor(), body)),
      );
    });

  campaigns
    .command("update <id>")
    .description("replace a campaign's settings from a JSON file (later occurrences only)")
    .requiredOption("--file <path>", "the campaign as JSON (- for stdin)")
    .option("--json", "print the campaign as one JSON line")
    .action(async (id: string, options: Json & { file: string }, command: Command) => {
      const out = context.output(options.json);
      const campaignId = parseId(id);
      const body = await readJsonFile(context.io, options.file, context.resolve);
      await context.withApp(command, async (app) =>
        saved(out, "Updated", await updateCampaign(app, cliActor(), campaignId, body)),
      );
    });

  campaigns
    .command("list")
    .description("list the campaigns (not archived ones, unless asked)")
    .addOption(
      new Option("--status <status>", "only campaigns in this status").choices(CAMPAIGN_STATUSES),
    )
    .option("--all", "archived campaigns too")
    .option("--json", "print the campaigns as one JSON line (an array)")
    .action(
      async (options: Json & { status?: CampaignStatus; all?: boolean }, command: Command) => {
        const out = context.output(options.json);
        await context.withApp(command, async (app) => {
          const all = await listCampaigns(app, { status: options.status, archived: options.all });
          out.result(all, () =>
            all.length === 0 ? "No campaigns." : all.map(campaignLine).join("\n"),
          );
        });
      },
    );

  campaigns
    .command("show <id>")
    .description("one campaign")
    .option("--json", "print the campaign as one JSON line")
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const campaignId = parseId(id);
      await context.withApp(command, async (app) => {
        const campaign = await getCampaign(app, campaignId);
        out.result(campaign, () => campaignLine(campaign));
      });
    });

  for (const [action, done, what] of [
    ["pause", "Paused", "pause a scheduled campaign (it is not due until resumed)"],
    ["resume", "Resumed", "schedule a paused (or draft) campaign again"],
    ["archive", "Archived", "archive a campaign (its name can be used again)"],
  ] as const)
    campaigns
      .command(`${action} <id>`)
      .description(what)
      .option("--json", "print the campaign as one JSON line")
      .action(async (id: string, options: Json, command: Command) => {
        const out = context.output(options.json);
        const campaignId = parseId(id);
        await context.withApp(command, async (app) => {
          const { campaign, warnings } = await changeCampaignStatusNoting(
            app,
            cliActor(),
            campaignId,
            action,
          );
          for (const warning of warnings) out.warn(warning);
          out.result(
            { ...campaign, warnings },
            () => `${done} campaign #${campaign.id} "${campaign.name}" (${campaign.status}).`,
          );
        });
      });

  campaigns
    .command("duplicate <id>")
    .description("a draft copy of a campaign, e.g. to change its control share")
    .option("--json", "print the copy as one JSON line")
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const campaignId = parseId(id);
      await context.withApp(command, async (app) => {
        const copy = await duplicateCampaign(app, cliActor(), campaignId);
        out.result(
          copy,
          () => `Copied campaign #${campaignId} as draft #${copy.id} "${copy.name}".`,
        );
      });
    });

  campaigns
    .command("test-send <id>")
    .description(
      "push the campaign's message now to the test contacts (campaigns.testContacts); not counted in any analysis or the frequency cap",
    )
    .option("--json", "print the test send as one JSON line")
    .action(async (id: string, options: Json, command: Command) => {
      const out = context.output(options.json);
      const campaignId = parseId(id);
      await context.withApp(command, async (app) => {
        const sent = await testSend(app, cliActor(), campaignId);
        out.result(sent, () =>
          sent.state === "sent"
            ? `Test send #${sent.id} of campaign #${campaignId} handed over to ${sent.contactKeys.length} test contact${sent.contactKeys.length === 1 ? "" : "s"} (token ${sent.tokenId}).`
            : `Test send #${sent.id} of campaign #${campaignId} is ${sent.state}: ${sent.error}`,
        );
        if (sent.state !== "sent")
          throw new ReportedFailure(`the test send of campaign #${campaignId} is ${sent.state}`, {
            kind: "unavailable",
          });
      });
    });

  campaigns
    .command("recipients <id>")
    .description(
      "export an occurrence's frozen recipient list as CSV: contact_key, group (test/control), batch_id, batch_state",
    )
    .option(
      "--occurrence <date>",
      "the occurrence's local date (YYYY-MM-DD; default: the latest frozen one)",
      parseDate,
    )
    .requiredOption("--csv <file>", "the CSV file to write")
    .option("--json", "print what was written as one JSON line")
    .action(
      async (
        id: string,
        options: Json & { occurrence?: string; csv: string },
        command: Command,
      ) => {
        const out = context.output(options.json);
        const campaignId = parseId(id);
        const file = context.resolve(options.csv);
        await context.withApp(command, async (app) => {
          const exported = await recipientsExport(app, campaignId, {
            occurrence: options.occurrence,
          });
          const rows = await writeRecipientsCsv(file, exported.rows);
          const summary = { ...exported.occurrence, file, rows };
          out.result(
            summary,
            () =>
              `Wrote ${count(rows)} recipients of campaign #${campaignId}'s occurrence of ${summary.localDate} (${count(summary.test)} test, ${count(summary.control)} control) to ${file}.`,
          );
        });
      },
    );
}

/** Writes the rows to `file` as they come (csv-stringify, back-pressure kept); answers their count. */
async function writeRecipientsCsv(
  file: string,
  rows: AsyncIterable<RecipientRow>,
): Promise<number> {
  let n = 0;
  async function* records() {
    for await (const row of rows) {
      n += 1;
      yield [row.contactKey, row.group, row.batchId, row.batchState];
    }
  }
  await pipeline(
    Readable.from(records()),
    stringify({ header: true, columns: ["contact_key", "group", "batch_id", "batch_state"] }),
    createWriteStream(file),
  );
  return n;
}
