/**
 * What the builder shows before saving, from POST /api/campaigns/preview: the expected
 * recipients, the batches, the next send time in the campaign's zone and in UTC, the budget
 * warning with the predicted last batch, and the smallest uplift the split can detect.
 */
import { Alert, Card, Group, List, Loader, Stack, Table, Text, Title } from "@mantine/core";
import type { paths } from "../../api/schema";
import { Problem } from "../../components/Problem";
import { detectableUplift } from "../../format";
import { formatIn, inZoneAndUtc } from "./data";
import { FIELD_LABELS, type FieldName, fieldOf } from "./form";

export type Preview =
  paths["/api/campaigns/preview"]["post"]["responses"]["200"]["content"]["application/json"];

const n = (v: number) => v.toLocaleString("en-GB");

function isBudgetWarning(w: string): boolean {
  return /send budget/i.test(w);
}

export function PreviewPanel({
  preview,
  pending,
  error,
  timeZone,
  missing,
}: {
  preview: Preview | undefined;
  pending: boolean;
  error: unknown;
  timeZone: string;
  /** Fields still empty: their problems are said as "still to fill in". */
  missing: readonly FieldName[];
}) {
  const problems = (preview?.problems ?? []).filter((p) => {
    const field = fieldOf(p.path);
    return !field || !missing.includes(field);
  });
  const budget = preview?.warnings.filter(isBudgetWarning) ?? [];
  const others = preview?.warnings.filter((w) => !isBudgetWarning(w)) ?? [];
  const late = Boolean(preview?.lastBatchAt) && budget.length > 0;
  return (
    <Card withBorder component="section" aria-label="Preview">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>Before saving</Title>
          {pending && <Loader size="xs" aria-label="Updating the preview" />}
        </Group>
        <Problem error={error} title="The preview failed" />
        {!preview && !error && <Text c="dimmed">Fill in the campaign to see its preview.</Text>}
        {preview && (
          <>
            <Table variant="vertical" layout="fixed">
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th w="45%">Target group</Table.Th>
                  <Table.Td>
                    {preview.targetGroup
                      ? `${n(preview.targetGroup.reachable)} reachable of ${n(preview.targetGroup.total)}`
                      : "–"}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Expected recipients</Table.Th>
                  <Table.Td>
                    {n(preview.test)} test · {n(preview.control)} control
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Batches</Table.Th>
                  <Table.Td>{n(preview.batches)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Next send ({timeZone})</Table.Th>
                  <Table.Td>
                    {preview.nextOccurrence
                      ? formatIn(preview.nextOccurrence.sendAt, timeZone)
                      : "no occurrence"}
                  </Table.Td>
                </Table.Tr>
                {timeZone !== "UTC" && (
                  <Table.Tr>
                    <Table.Th>Next send (UTC)</Table.Th>
                    <Table.Td>
                      {preview.nextOccurrence
                        ? formatIn(preview.nextOccurrence.sendAt, "UTC")
                        : "–"}
                    </Table.Td>
                  </Table.Tr>
                )}
                <Table.Tr>
                  <Table.Th>Last batch</Table.Th>
                  <Table.Td>
                    {preview.lastBatchAt ? inZoneAndUtc(preview.lastBatchAt, timeZone) : "–"}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Minimum detectable uplift</Table.Th>
                  <Table.Td>
                    {preview.minimumDetectableUplift === null
                      ? "not known (no baseline response rate, or no control group)"
                      : detectableUplift(preview.minimumDetectableUplift)}
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            {late && preview.lastBatchAt && (
              <Alert color="orange" title="Over the send budget" role="status">
                <Text size="sm" fw={600}>
                  Predicted last batch: {inZoneAndUtc(preview.lastBatchAt, timeZone)} —{" "}
                  {n(preview.latenessMinutes)} minutes after the send time.
                </Text>
                <List size="sm" mt={4}>
                  {budget.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {others.length > 0 && (
              <Alert color="yellow" title="Warnings">
                <List size="sm">
                  {others.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {!preview.valid && (
              <Alert color="gray" title="Not ready to save">
                <List size="sm">
                  {missing.length > 0 && (
                    <List.Item>
                      Still to fill in: {missing.map((f) => FIELD_LABELS[f]).join(", ")}
                    </List.Item>
                  )}
                  {problems.map((p) => {
                    const field = fieldOf(p.path);
                    return (
                      <List.Item key={`${p.path}:${p.message}`}>
                        {field ? FIELD_LABELS[field] : p.path}: {p.message}
                      </List.Item>
                    );
                  })}
                </List>
              </Alert>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}
