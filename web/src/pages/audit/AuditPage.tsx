/** The audit log (admins): who changed what, when, and the change itself, newest first. */
import {
  Button,
  Code,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import { changes } from "./diff";

const ENTITIES = [
  { value: "", label: "Everything" },
  { value: "campaign", label: "Campaigns" },
  { value: "target_group", label: "Target groups" },
  { value: "send_batch", label: "Send batches" },
  { value: "nightly_run", label: "Nightly runs" },
  { value: "user", label: "Users" },
  { value: "api_key", label: "API keys" },
  { value: "sfmc_messages", label: "SFMC messages" },
];

/** A day (YYYY-MM-DD, the browser's zone) as the instant it starts, `days` later. */
const dayStart = (day: string, days = 0) => {
  const at = new Date(`${day}T00:00`);
  at.setDate(at.getDate() + days);
  return at.toISOString();
};

export function AuditPage() {
  const [entity, setEntity] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [limit, setLimit] = useState(200);
  const audit = useQuery({
    queryKey: ["audit", { entity, from, to, limit }],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/audit", {
          params: {
            query: {
              ...(entity ? { entity } : {}),
              ...(from ? { from: dayStart(from) } : {}),
              ...(to ? { to: dayStart(to, 1) } : {}),
              limit,
            },
          },
        }),
      ),
  });
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Group align="flex-end">
        <Select
          label="Entity"
          data={ENTITIES}
          value={entity}
          onChange={(v) => setEntity(v ?? "")}
          allowDeselect={false}
          w={200}
        />
        <TextInput
          label="From"
          type="date"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
        />
        <TextInput
          label="To"
          type="date"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
        />
      </Group>
      <Problem error={audit.error} />
      {audit.isPending && <Loader aria-label="Loading the audit log" />}
      {audit.data?.length === 0 && <Text c="dimmed">Nothing changed in that time.</Text>}
      {audit.data && audit.data.length > 0 && (
        <Table striped aria-label="Audit log" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Change</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {audit.data.map((entry) => {
              const diff = changes(entry.before, entry.after);
              return (
                <Table.Tr key={entry.id}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    {new Date(entry.at).toLocaleString()}
                  </Table.Td>
                  <Table.Td>{entry.actor}</Table.Td>
                  <Table.Td>
                    {entry.entity}
                    {entry.entityId ? ` #${entry.entityId}` : ""}
                  </Table.Td>
                  <Table.Td>{entry.action}</Table.Td>
                  <Table.Td>
                    {diff ? (
                      <Stack gap={2}>
                        {diff.map((d) => (
                          <Text size="sm" key={d.path}>
                            <Code>{d.path}</Code> {d.before} → {d.after}
                          </Text>
                        ))}
                      </Stack>
                    ) : (
                      <details>
                        <summary>Before and after</summary>
                        <Group align="flex-start" wrap="nowrap">
                          <Code block>{JSON.stringify(entry.before, null, 2) ?? "–"}</Code>
                          <Code block>{JSON.stringify(entry.after, null, 2) ?? "–"}</Code>
                        </Group>
                      </details>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {audit.data && audit.data.length >= limit && (
        <Button variant="default" onClick={() => setLimit(limit * 5)} w="fit-content">
          Show more
        </Button>
      )}
    </Stack>
  );
}
