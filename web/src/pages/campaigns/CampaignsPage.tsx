/**
 * /campaigns: every campaign with its status, next occurrence, group, BU, app, message and
 * priority; pause, resume, archive and duplicate in its row; the month calendar of occurrences.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Loader,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { api, type Schemas, unwrap } from "../../api/client";
import { allows, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import { CampaignCalendar } from "./CampaignCalendar";
import { formatIn, useApps, useBusinessUnits, useMessageNames, useTargetGroups } from "./data";

const STATUS_COLOR = {
  draft: "gray",
  scheduled: "green",
  paused: "yellow",
  completed: "blue",
  archived: "dark",
} as const;

type Action = "pause" | "resume" | "archive" | "duplicate";
const ACTION_LABEL: Record<Action, string> = {
  pause: "Pause",
  resume: "Resume",
  archive: "Archive",
  duplicate: "Duplicate",
};

function actionsOf(c: Schemas["Campaign"]): Action[] {
  const actions: Action[] = [];
  if (c.status === "scheduled") actions.push("pause");
  if (c.status === "paused" || c.status === "draft") actions.push("resume");
  if (c.status !== "archived") actions.push("archive");
  actions.push("duplicate");
  return actions;
}

export function CampaignsPage() {
  const session = useSession();
  const canChange = allows(session.role, "marketer");
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const saved = location.state as { saved?: string; warnings?: string[] } | null;
  const [archived, setArchived] = useState(false);
  const campaigns = useQuery({
    queryKey: ["campaigns", "list", archived],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/campaigns", {
          params: { query: archived ? { archived: "true" } : {} },
        }),
      ),
  });
  const groups = useTargetGroups();
  const units = useBusinessUnits();
  const apps = useApps();
  const messages = useMessageNames((campaigns.data ?? []).map((c) => c.appId));
  const groupName = new Map((groups.data ?? []).map((g) => [g.id, g.name]));
  const unitName = new Map((units.data ?? []).map((u) => [u.mid, u.name]));
  const appName = new Map((apps.data ?? []).map((a) => [a.id, a.name]));

  const act = useMutation({
    mutationFn: async ({ action, id }: { action: Action; id: number; name: string }) => {
      const path = { params: { path: { id } } };
      switch (action) {
        case "pause":
          return unwrap(await api.POST("/api/campaigns/{id}/pause", path));
        case "resume":
          return unwrap(await api.POST("/api/campaigns/{id}/resume", path));
        case "archive":
          return unwrap(await api.POST("/api/campaigns/{id}/archive", path));
        case "duplicate":
          return { ...unwrap(await api.POST("/api/campaigns/{id}/duplicate", path)), warnings: [] };
      }
    },
    onSuccess: async (campaign, { action }) => {
      await queryClient.invalidateQueries({ queryKey: ["campaigns"] });
      await queryClient.invalidateQueries({ queryKey: ["occurrences"] });
      if (action === "duplicate") navigate(`/campaigns/${campaign.id}`);
    },
  });
  const done = act.data && act.variables;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Campaigns</Title>
        {canChange && <Button onClick={() => navigate("/campaigns/new")}>New campaign</Button>}
      </Group>
      {saved?.saved && (
        <Alert color="green" title={`Saved “${saved.saved}”`}>
          {saved.warnings && saved.warnings.length > 0 && (
            <List size="sm">
              {saved.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <Problem error={campaigns.error} />
      <Problem error={act.error} title="The campaign was not changed" />
      {done && act.variables.action !== "duplicate" && (
        <Alert color="blue" title={`${act.variables.name}: ${act.data.status}`} role="status">
          {act.data.warnings.length > 0 && (
            <List size="sm">
              {act.data.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <Switch
        label="Show archived campaigns"
        checked={archived}
        onChange={(e) => setArchived(e.currentTarget.checked)}
      />
      {campaigns.isPending && <Loader aria-label="Loading campaigns" />}
      {campaigns.data?.length === 0 && <Text c="dimmed">No campaign yet.</Text>}
      {campaigns.data && campaigns.data.length > 0 && (
        <Table striped highlightOnHover aria-label="Campaigns">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Next occurrence</Table.Th>
              <Table.Th>Target group</Table.Th>
              <Table.Th>Business unit</Table.Th>
              <Table.Th>App</Table.Th>
              <Table.Th>Message</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th>Analysis</Table.Th>
              {canChange && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {campaigns.data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[c.status]} style={{ minWidth: "max-content" }}>
                    {c.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {c.nextOccurrence ? (
                    <>
                      {formatIn(c.nextOccurrence.sendAt, c.timeZone)}
                      <Text size="xs" c="dimmed">
                        {c.timeZone}
                      </Text>
                    </>
                  ) : (
                    "–"
                  )}
                </Table.Td>
                <Table.Td>{groupName.get(c.targetGroupId) ?? `#${c.targetGroupId}`}</Table.Td>
                <Table.Td>
                  {unitName.get(c.businessUnit) ?? ""} ({c.businessUnit})
                </Table.Td>
                <Table.Td>{appName.get(c.appId) ?? c.appId}</Table.Td>
                <Table.Td>{messages.get(`${c.appId}/${c.messageId}`) ?? c.messageId}</Table.Td>
                <Table.Td>{c.priority}</Table.Td>
                <Table.Td>
                  <Link to={`/campaigns/${c.id}/analysis`}>Analysis</Link>
                </Table.Td>
                {canChange && (
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      {actionsOf(c).map((action) => (
                        <Button
                          key={action}
                          size="compact-xs"
                          variant={action === "archive" ? "subtle" : "light"}
                          color={action === "archive" ? "red" : undefined}
                          loading={
                            act.isPending &&
                            act.variables.id === c.id &&
                            act.variables.action === action
                          }
                          onClick={() => act.mutate({ action, id: c.id, name: c.name })}
                        >
                          {ACTION_LABEL[action]}
                        </Button>
                      ))}
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <CampaignCalendar />
    </Stack>
  );
}
