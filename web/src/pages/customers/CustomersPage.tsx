/** Customers: a search by the start of the contact key, the first matches linking to each customer. */
import { Badge, Loader, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";
import { formatValue } from "./format";

const LIMIT = 50;

export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const [q] = useDebouncedValue(text.trim(), 250);
  // The search lives in the URL: a link to it, or the back button, gives the same results.
  useEffect(() => {
    if ((params.get("q") ?? "") !== q) setParams(q ? { q } : {}, { replace: true });
  }, [q, params, setParams]);
  const found = useQuery({
    queryKey: ["customers", "search", q],
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/customers", { params: { query: { q, limit: LIMIT } }, signal })),
  });
  const names = Object.keys(found.data?.[0]?.attributes ?? {});
  return (
    <Stack>
      <Title order={2}>Customers</Title>
      <TextInput
        label="Contact key"
        description="The start of a contact key (case-sensitive)"
        placeholder="C00001"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        rightSection={found.isFetching ? <Loader size="xs" aria-label="Searching" /> : null}
        maw={420}
        autoFocus
      />
      <Problem error={found.error} />
      {!q && <Text c="dimmed">Type the start of a contact key to find customers.</Text>}
      {q && found.data?.length === 0 && (
        <Text>No customer has a contact key starting with “{q}”.</Text>
      )}
      {q && found.data && found.data.length > 0 && (
        <>
          <Text size="sm" c="dimmed">
            {found.data.length === LIMIT
              ? `The first ${LIMIT} customers by contact key`
              : `${found.data.length} customer${found.data.length === 1 ? "" : "s"}`}
          </Text>
          <Table striped highlightOnHover aria-label="Customers found">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Contact key</Table.Th>
                <Table.Th>Stage</Table.Th>
                {names.map((n) => (
                  <Table.Th key={n}>{n}</Table.Th>
                ))}
                <Table.Th>Present</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {found.data.map((c) => (
                <Table.Tr key={c.contactKey}>
                  <Table.Td>
                    <Link to={`/customers/${encodeURIComponent(c.contactKey)}`}>
                      {c.contactKey}
                    </Link>
                  </Table.Td>
                  <Table.Td>{c.stage ?? "–"}</Table.Td>
                  {names.map((n) => (
                    <Table.Td key={n}>{formatValue(c.attributes[n])}</Table.Td>
                  ))}
                  <Table.Td>
                    {c.present ? (
                      <Badge variant="light">present</Badge>
                    ) : (
                      <Badge color="gray" variant="light">
                        removed
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
