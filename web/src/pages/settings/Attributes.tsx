/** The customer attribute schema as configured (read-only: it changes in the config file). */
import { Badge, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";

export function AttributesSettings() {
  const attributes = useQuery({
    queryKey: ["customer-attributes"],
    queryFn: async () => unwrap(await api.GET("/api/customers/attributes")),
  });
  return (
    <Stack>
      <Title order={3}>Customer attributes</Title>
      <Text size="sm" c="dimmed">
        The attributes of the daily customer file, as the configuration defines them.
      </Text>
      <Problem error={attributes.error} />
      {attributes.isPending && <Loader aria-label="Loading the attributes" />}
      {attributes.data?.length === 0 && <Text c="dimmed">No attributes configured.</Text>}
      {attributes.data && attributes.data.length > 0 && (
        <Table striped aria-label="Customer attributes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Attribute</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Required</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attributes.data.map((a) => (
              <Table.Tr key={a.name}>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {a.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light">{a.type}</Badge>
                </Table.Td>
                <Table.Td>{a.required ? "required" : "optional"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
