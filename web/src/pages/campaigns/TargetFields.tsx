/**
 * Who and what: the target group with its reachable count, the business unit, the app (only the
 * configured apps of that unit) and the push message (only that app's synced, usable messages).
 */
import { NativeSelect, Stack } from "@mantine/core";
import { Problem } from "../../components/Problem";
import { useApps, useBusinessUnits, useGroupCounts, useMessages, useTargetGroups } from "./data";
import type { CampaignForm, FieldErrors } from "./form";

const choose = (label: string) => ({ value: "", label, disabled: true });

export function TargetFields({
  form,
  errors,
  update,
}: {
  form: CampaignForm;
  errors: FieldErrors;
  update: (changes: Partial<CampaignForm>) => void;
}) {
  const groups = useTargetGroups();
  const counts = useGroupCounts(groups.data);
  const units = useBusinessUnits();
  const apps = useApps();
  const messages = useMessages(form.appId);
  const unitApps = (apps.data ?? []).filter((a) => a.businessUnit === form.businessUnit);
  const messageList = messages.data ?? [];
  const messageHint = !form.appId
    ? "Choose an app first"
    : messages.isPending
      ? "Loading the app's messages…"
      : messageList.length === 0
        ? "This app has no usable synced messages (an admin can sync them in Settings)"
        : `${messageList.length} usable message${messageList.length === 1 ? "" : "s"} of this app`;
  return (
    <Stack gap="sm">
      <Problem error={groups.error ?? units.error ?? apps.error ?? messages.error} />
      <NativeSelect
        label="Target group"
        value={form.targetGroupId}
        onChange={(e) => update({ targetGroupId: e.currentTarget.value })}
        error={errors.targetGroupId}
        data={[
          choose(groups.isPending ? "Loading target groups…" : "Choose a target group"),
          ...(groups.data ?? []).map((g) => {
            const reachable = counts.get(g.id);
            return {
              value: String(g.id),
              label: `${g.name} — ${reachable === undefined ? "counting…" : `${reachable.toLocaleString("en-GB")} reachable`}`,
            };
          }),
        ]}
      />
      <NativeSelect
        label="Business unit"
        value={form.businessUnit}
        onChange={(e) => {
          const businessUnit = e.currentTarget.value;
          const keep = apps.data?.some(
            (a) => a.id === form.appId && a.businessUnit === businessUnit,
          );
          update(keep ? { businessUnit } : { businessUnit, appId: "", messageId: "" });
        }}
        error={errors.businessUnit}
        data={[
          choose("Choose a business unit"),
          ...(units.data ?? []).map((bu) => ({
            value: bu.mid,
            label: `${bu.name} (MID ${bu.mid}, account ${bu.account})`,
          })),
        ]}
      />
      <NativeSelect
        label="App"
        value={form.appId}
        disabled={!form.businessUnit}
        description={
          form.businessUnit && apps.data && unitApps.length === 0
            ? "No app is configured for this business unit"
            : undefined
        }
        onChange={(e) => {
          const appId = e.currentTarget.value;
          // A message belongs to one app: another app's message is never kept.
          if (appId !== form.appId) update({ appId, messageId: "" });
        }}
        error={errors.appId}
        data={[
          choose(form.businessUnit ? "Choose an app" : "Choose a business unit first"),
          ...unitApps.map((a) => ({ value: a.id, label: a.name })),
        ]}
      />
      <NativeSelect
        label="Push message"
        value={form.messageId}
        disabled={!form.appId}
        description={messageHint}
        onChange={(e) => update({ messageId: e.currentTarget.value })}
        error={errors.messageId}
        data={[
          choose("Choose a push message"),
          ...messageList.map((m) => ({ value: m.id, label: m.name })),
        ]}
      />
    </Stack>
  );
}
