/** The SFMC settings: accounts and business units (never a secret), apps, sync and check. */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas, unwrap } from "../../api/client";
import { Problem } from "../../components/Problem";

type PushApp = Schemas["PushApp"];

function AccountCard({ account, apps }: { account: Schemas["SfmcAccount"]; apps: PushApp[] }) {
  const { recipients, perMinutes } = account.sendBudget;
  return (
    <Card withBorder component="section" aria-label={`Account ${account.name}`}>
      <Stack gap="xs">
        <Title order={4}>{account.name}</Title>
        <Text size="sm">
          Send budget: {recipients.toLocaleString()} recipients per {perMinutes} minutes · at most{" "}
          {account.maxInFlight} batches in flight
        </Text>
        <Text size="sm" c="dimmed">
          Client ID {account.clientId} · {account.authBaseUrl} · the client secret is kept in the
          configuration and never shown
        </Text>
        <Table aria-label={`Business units of ${account.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>MID</Table.Th>
              <Table.Th>Business unit</Table.Th>
              <Table.Th>Template prefix</Table.Th>
              <Table.Th>Apps</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {account.businessUnits.map((bu) => (
              <Table.Tr key={bu.mid}>
                <Table.Td>{bu.mid}</Table.Td>
                <Table.Td>{bu.name}</Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {bu.templatePrefix}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {apps
                    .filter((a) => a.businessUnit === bu.mid)
                    .map((a) => a.name)
                    .join(", ") || "–"}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}

function SyncButton() {
  const client = useQueryClient();
  const sync = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/sfmc/sync")),
    // The message lists (of the campaign builder and elsewhere) are stale after a sync.
    onSuccess: () => client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "session" }),
  });
  const counts = sync.data?.messages;
  return (
    <Stack gap="xs">
      <Group>
        <Button onClick={() => sync.mutate()} loading={sync.isPending}>
          Sync messages now
        </Button>
        {sync.isPending && <Text size="sm">Syncing the push messages from SFMC…</Text>}
      </Group>
      <Problem error={sync.error} title="The sync failed" />
      {sync.data && counts && (
        <Alert
          color={sync.data.problems.length > 0 ? "yellow" : "green"}
          title="Messages synced"
          role="status"
        >
          <Text size="sm">
            {sync.data.accounts} {sync.data.accounts === 1 ? "account" : "accounts"} read:{" "}
            {counts.added} added, {counts.updated} updated, {counts.removed} marked no longer usable
            (inactive or removed), {counts.kept} unchanged.
          </Text>
          {sync.data.problems.length > 0 && (
            <List size="sm">
              {sync.data.problems.map((p) => (
                <List.Item key={`${p.businessUnit}/${p.appId}`}>
                  Business unit {p.businessUnit}, app {p.appId}: {p.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
    </Stack>
  );
}

const okBadge = (ok: boolean, checked = true) =>
  !checked ? (
    <Badge color="gray">not checked</Badge>
  ) : (
    <Badge color={ok ? "green" : "red"}>{ok ? "ok" : "failed"}</Badge>
  );

function CheckButton() {
  const check = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/sfmc/check")),
  });
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" onClick={() => check.mutate()} loading={check.isPending}>
          Check connection
        </Button>
        {check.isPending && <Text size="sm">Getting a token for every business unit…</Text>}
      </Group>
      <Problem error={check.error} title="The check failed" />
      {check.data && (
        <Alert
          color={check.data.ok ? "green" : "red"}
          title={
            check.data.ok
              ? "Every business unit and app answered"
              : `${check.data.problems} ${check.data.problems === 1 ? "problem" : "problems"} found`
          }
          role="status"
        >
          <List size="sm">
            {check.data.accounts.map((account) => (
              <List.Item key={account.name}>
                {account.name} {okBadge(account.ok)} {account.problem}
                <List size="sm" withPadding>
                  {account.businessUnits.map((bu) => (
                    <List.Item key={bu.mid}>
                      {bu.name} ({bu.mid}) {okBadge(bu.ok, bu.checked)} {bu.problem}
                      {bu.apps.map((a) => (
                        <Text key={a.id} size="sm">
                          App {a.name} {okBadge(a.ok, a.checked)} {a.problem ?? a.note}
                        </Text>
                      ))}
                    </List.Item>
                  ))}
                </List>
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

export function SfmcSettings() {
  const accounts = useQuery({
    queryKey: ["sfmc-accounts"],
    queryFn: async () => unwrap(await api.GET("/api/sfmc/accounts")),
  });
  const apps = useQuery({
    queryKey: ["apps"],
    queryFn: async () => unwrap(await api.GET("/api/apps")),
  });
  const buName = (mid: string) =>
    accounts.data?.flatMap((a) => a.businessUnits).find((bu) => bu.mid === mid)?.name;
  return (
    <Stack>
      <Title order={3}>SFMC accounts</Title>
      <Problem error={accounts.error} />
      {accounts.isPending && <Loader aria-label="Loading the accounts" />}
      {accounts.data?.length === 0 && <Text c="dimmed">No SFMC account configured.</Text>}
      {accounts.data?.map((account) => (
        <AccountCard key={account.name} account={account} apps={apps.data ?? []} />
      ))}
      <Title order={3}>Push apps</Title>
      <Problem error={apps.error} />
      {apps.isPending && <Loader aria-label="Loading the apps" />}
      {apps.data?.length === 0 && <Text c="dimmed">No push app configured.</Text>}
      {apps.data && apps.data.length > 0 && (
        <Table striped aria-label="Push apps">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>App</Table.Th>
              <Table.Th>Business unit</Table.Th>
              <Table.Th>App ID</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {apps.data.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>
                  {a.businessUnit}
                  {buName(a.businessUnit) ? ` (${buName(a.businessUnit)})` : ""}
                </Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {a.id}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Title order={3}>Push messages</Title>
      <Text size="sm" c="dimmed">
        Campaigns use the API-triggered push messages of the configured apps; the nightly run syncs
        them, and so does this button.
      </Text>
      <SyncButton />
      <CheckButton />
    </Stack>
  );
}
