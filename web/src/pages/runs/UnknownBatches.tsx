/**
 * The run's unknown batches (SFMC may or may not have received them) with what is known of
 * them, and the admin's resolutions — mark sent, re-send, abandon — each confirmed in a modal.
 * Batches resolved already are listed below with their new state.
 */
import { Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, api, type Schemas, unwrap } from "../../api/client";
import { allows, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import { BATCH_COLOR, when } from "./format";

type Batch = Schemas["SendBatch"];
type Action = "sent" | "resend" | "abandon";

const ACTION = {
  sent: {
    button: "Mark sent",
    title: "Mark batch #{id} as sent?",
    text: "You found this batch in SFMC: it counts as delivered and is not handed over again.",
    color: "green",
  },
  resend: {
    button: "Re-send",
    title: "Re-send batch #{id}?",
    text: "SFMC did not receive it: a new batch of the same keys is handed over by the next nightly run. If SFMC did receive it, its customers get the push twice.",
    color: "blue",
  },
  abandon: {
    button: "Abandon",
    title: "Abandon batch #{id}?",
    text: "Its customers are left as they are: the batch is not sent again and counts as not delivered.",
    color: "red",
  },
} as const;

/** `live`: the run is under way, so batches may become unknown (read again every 2 s). */
export function UnknownBatches({ date, live }: { date: string; live: boolean }) {
  const session = useSession();
  const admin = allows(session.role, "admin");
  const [asked, setAsked] = useState<{ batch: Batch; action: Action } | null>(null);
  const unknown = useQuery({
    queryKey: ["batches", { date, state: "unknown" }],
    queryFn: async () =>
      unwrap(await api.GET("/api/batches", { params: { query: { state: "unknown", date } } })),
    refetchInterval: live ? 2000 : false,
  });
  const all = useQuery({
    queryKey: ["batches", { date }],
    queryFn: async () => unwrap(await api.GET("/api/batches", { params: { query: { date } } })),
    refetchInterval: live ? 2000 : false,
  });
  const resolved = (all.data ?? []).filter((b) => b.resolvedAt !== null);
  return (
    <Stack>
      <Title order={3}>Unknown batches</Title>
      <Problem error={unknown.error} />
      {unknown.data?.length === 0 && (
        <Text c="dimmed">No batch of this run is unknown: SFMC answered every call.</Text>
      )}
      {unknown.data && unknown.data.length > 0 && (
        <>
          <Text size="sm">
            SFMC may or may not have received these batches. Look their keys up in SFMC, then
            resolve each.
          </Text>
          <Table aria-label="Unknown batches">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Batch</Table.Th>
                <Table.Th>Campaign</Table.Th>
                <Table.Th>Keys</Table.Th>
                <Table.Th>Called SFMC</Table.Th>
                <Table.Th>Send time</Table.Th>
                <Table.Th>Error</Table.Th>
                {admin && <Table.Th>Resolve</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {unknown.data.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>#{b.id}</Table.Td>
                  <Table.Td>{b.campaignName}</Table.Td>
                  <Table.Td title={b.contactKeys?.slice(0, 20).join(", ")}>
                    {b.size.toLocaleString()} keys
                    {b.contactKeys?.length ? ` (${b.contactKeys[0]} …)` : ""}
                  </Table.Td>
                  <Table.Td>{when(b.handedAt)}</Table.Td>
                  <Table.Td>{when(b.sendAt)}</Table.Td>
                  <Table.Td>{b.error ?? ""}</Table.Td>
                  {admin && (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {(["sent", "resend", "abandon"] as const).map((action) => (
                          <Button
                            key={action}
                            size="xs"
                            variant="light"
                            color={ACTION[action].color}
                            onClick={() => setAsked({ batch: b, action })}
                          >
                            {ACTION[action].button}
                          </Button>
                        ))}
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      {resolved.length > 0 && (
        <Table aria-label="Resolved batches">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Resolved batch</Table.Th>
              <Table.Th>Campaign</Table.Th>
              <Table.Th>Keys</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Resolved by</Table.Th>
              <Table.Th>At</Table.Th>
              <Table.Th>Note</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {resolved.map((b) => (
              <Table.Tr key={b.id}>
                <Table.Td>#{b.id}</Table.Td>
                <Table.Td>{b.campaignName}</Table.Td>
                <Table.Td>{b.size.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Badge color={BATCH_COLOR[b.state]} miw="max-content">
                    {b.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{b.resolvedBy}</Table.Td>
                <Table.Td>{when(b.resolvedAt)}</Table.Td>
                <Table.Td>{b.tokenId ? `tokenId ${b.tokenId}` : (b.error ?? "")}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {asked && <ResolveModal {...asked} onClose={() => setAsked(null)} />}
    </Stack>
  );
}

function ResolveModal({
  batch,
  action,
  onClose,
}: {
  batch: Batch;
  action: Action;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [tokenId, setTokenId] = useState("");
  const resolve = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/batches/{id}/resolve", {
          params: { path: { id: batch.id } },
          body:
            action === "sent" && tokenId.trim() !== ""
              ? { action, tokenId: tokenId.trim() }
              : { action },
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: ["batches"] }),
        client.invalidateQueries({ queryKey: ["runs"] }),
      ]);
      onClose();
    },
  });
  const words = ACTION[action];
  return (
    <Modal opened onClose={onClose} title={words.title.replace("{id}", String(batch.id))}>
      <Stack>
        <Text size="sm">
          {batch.campaignName}: {batch.size.toLocaleString()} keys, handed over{" "}
          {when(batch.handedAt)}. {words.text}
        </Text>
        {action === "sent" && (
          <TextInput
            label="Token id"
            description="Optional: the tokenId SFMC gave the send, so that its metrics are collected"
            value={tokenId}
            onChange={(e) => setTokenId(e.currentTarget.value)}
            error={
              resolve.error instanceof ApiError ? resolve.error.fieldError("tokenId") : undefined
            }
          />
        )}
        <Problem error={resolve.error} title="The batch was not resolved" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={words.color} loading={resolve.isPending} onClick={() => resolve.mutate()}>
            {`Confirm: ${words.button}`}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
