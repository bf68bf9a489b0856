/** The first customers the rule matches, by contact key, with their stage, CLV and attributes. */
import { Badge, Loader, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { useRulePreview } from "../../targeting/queries";

function shown(value: unknown): string {
  if (value === null || value === undefined) return "–";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function Preview({ ruleText }: { ruleText: string }) {
  const preview = useRulePreview(ruleText);
  if (preview.isPending) return <Loader size="sm" aria-label="Loading the preview" />;
  // The rule's problems are shown at their leaves; the preview simply waits for a valid rule.
  if (preview.error)
    return (
      <Text c="dimmed" size="sm">
        No preview while the rule has problems.
      </Text>
    );
  const customers = preview.data.customers;
  if (customers.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No customer matches.
      </Text>
    );
  const attributes = [...new Set(customers.flatMap((c) => Object.keys(c.attributes)))].slice(0, 6);
  return (
    <Table striped aria-label="Matching customers" opacity={preview.isPlaceholderData ? 0.6 : 1}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Contact key</Table.Th>
          <Table.Th>Reachable</Table.Th>
          <Table.Th>Stage</Table.Th>
          <Table.Th>CLV</Table.Th>
          {attributes.map((a) => (
            <Table.Th key={a}>{a}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {customers.map((c) => (
          <Table.Tr key={c.contactKey}>
            <Table.Td>
              <Link to={`/customers/${encodeURIComponent(c.contactKey)}`}>{c.contactKey}</Link>
            </Table.Td>
            <Table.Td>
              <Badge color={c.reachable ? "green" : "gray"} variant="light">
                {c.reachable ? "yes" : "no"}
              </Badge>
            </Table.Td>
            <Table.Td>{c.stage ?? "–"}</Table.Td>
            <Table.Td>{c.clv === null ? "–" : c.clv.toFixed(2)}</Table.Td>
            {attributes.map((a) => (
              <Table.Td key={a}>{shown(c.attributes[a])}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
