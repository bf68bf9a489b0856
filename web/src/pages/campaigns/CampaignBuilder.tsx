/**
 * The campaign builder (/campaigns/new, /campaigns/:id): name → target group → business unit →
 * app → push message → schedule, send time and zone → control group → priority. The preview of
 * the server's plan updates as the form changes; the server's refusals appear at their fields.
 */
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Grid,
  Group,
  Loader,
  NumberInput,
  Select,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, api, unwrap } from "../../api/client";
import { allows, useSession } from "../../app/session";
import { Problem } from "../../components/Problem";
import {
  type CampaignForm,
  emptyForm,
  type FieldErrors,
  fieldErrors,
  fromCampaign,
  toBody,
} from "./form";
import { PreviewPanel } from "./PreviewPanel";
import { ScheduleFields } from "./ScheduleFields";
import { TargetFields } from "./TargetFields";

/** The fields the marketer fills in or chooses before the server has anything to check. */
const REQUIRED = ["name", "targetGroupId", "businessUnit", "appId", "messageId"] as const;

function timeZones(current: string): string[] {
  const zones = Intl.supportedValuesOf("timeZone");
  return [...new Set(["UTC", current, ...zones])].sort((a, b) =>
    a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b),
  );
}

export function CampaignBuilderPage() {
  const { id: idParam } = useParams();
  const id = idParam === undefined ? undefined : Number(idParam);
  const navigate = useNavigate();
  const readOnly = !allows(useSession().role, "marketer");
  const queryClient = useQueryClient();
  const stored = useQuery({
    queryKey: ["campaigns", id],
    queryFn: async () =>
      unwrap(await api.GET("/api/campaigns/{id}", { params: { path: { id: id ?? 0 } } })),
    enabled: id !== undefined,
  });
  const [form, setForm] = useState<CampaignForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [other, setOther] = useState<string[]>([]);
  const [loadedId, setLoadedId] = useState<number | undefined>(undefined);
  // The preview follows the form 400 ms after its last change (a loaded campaign at once).
  const [debounced, setDebounced] = useState(() => JSON.stringify(toBody(emptyForm())));
  useEffect(() => {
    if (stored.data && loadedId !== stored.data.id) {
      const loaded = fromCampaign(stored.data);
      setForm(loaded);
      setDebounced(JSON.stringify(toBody(loaded)));
      setLoadedId(stored.data.id);
    }
  }, [stored.data, loadedId]);

  const update = (changes: Partial<CampaignForm>) => {
    setForm((f) => ({ ...f, ...changes }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(changes) as (keyof CampaignForm)[]) delete next[k];
      return next;
    });
  };
  const set = <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) =>
    update({ [field]: value } as Partial<CampaignForm>);

  const body = useMemo(() => toBody(form), [form]);
  const json = JSON.stringify(body);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(json), 400);
    return () => clearTimeout(timer);
  }, [json]);
  const preview = useQuery({
    queryKey: ["campaign-preview", id ?? null, debounced],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.POST("/api/campaigns/preview", {
          body: JSON.parse(debounced),
          params: { query: id === undefined ? {} : { campaignId: id } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    enabled: id === undefined || loadedId === id,
  });
  const missing = REQUIRED.filter((field) => form[field] === "");

  const save = useMutation({
    mutationFn: async (status: "scheduled" | "draft") => {
      if (id === undefined)
        return unwrap(
          await api.POST("/api/campaigns", {
            // The server checks every field and answers each problem at its path.
            body: { ...body, status } as never,
          }),
        );
      return unwrap(
        await api.PUT("/api/campaigns/{id}", {
          params: { path: { id } },
          body: body as never,
        }),
      );
    },
    onMutate: () => {
      setErrors({});
      setOther([]);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ["campaigns"] });
      await queryClient.invalidateQueries({ queryKey: ["occurrences"] });
      navigate("/campaigns", { state: { saved: saved.name, warnings: saved.warnings } });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.fields.length > 0) {
        const found = fieldErrors(error.fields);
        setErrors(found.fields);
        setOther(found.other);
      }
    },
  });

  if (id !== undefined && stored.isPending) return <Loader aria-label="Loading the campaign" />;
  const refused = save.error instanceof ApiError && save.error.fields.length > 0;
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{id === undefined ? "New campaign" : `Campaign: ${form.name}`}</Title>
          {stored.data && <Badge variant="light">{stored.data.status}</Badge>}
        </Group>
        <Button component={Link} to="/campaigns" variant="subtle">
          Back to the campaigns
        </Button>
      </Group>
      <Problem error={stored.error} title="The campaign could not be read" />
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate("scheduled");
        }}
      >
        <Grid gap="lg">
          <Grid.Col span={7}>
            <Fieldset variant="unstyled" disabled={readOnly}>
              <Stack gap="sm">
                {readOnly && (
                  <Alert color="gray">
                    Viewers see a campaign's settings; marketers change them.
                  </Alert>
                )}
                <TextInput
                  label="Name"
                  value={form.name}
                  onChange={(e) => set("name", e.currentTarget.value)}
                  error={errors.name}
                />
                <TargetFields form={form} errors={errors} update={update} />
                <ScheduleFields form={form} errors={errors} set={set} />
                <Group grow align="flex-start">
                  <TextInput
                    label="Send time"
                    description="HH:MM, 24-hour"
                    placeholder="10:00"
                    value={form.sendTime}
                    onChange={(e) => set("sendTime", e.currentTarget.value)}
                    error={errors.sendTime}
                  />
                  <Select
                    label="Time zone"
                    description="The schedule's dates and the send time are in this zone"
                    searchable
                    allowDeselect={false}
                    limit={100}
                    nothingFoundMessage="No such time zone"
                    data={timeZones(form.timeZone)}
                    value={form.timeZone}
                    onChange={(v) => v && set("timeZone", v)}
                    error={errors.timeZone}
                  />
                </Group>
                <Group grow align="flex-start">
                  <NumberInput
                    label="Control group %"
                    description="Reachable members kept out to measure the effect"
                    min={0}
                    clampBehavior="none"
                    value={form.controlGroupPercent}
                    onChange={(v) => set("controlGroupPercent", v)}
                    error={errors.controlGroupPercent}
                  />
                  <NumberInput
                    label="Priority"
                    description="1 is the highest"
                    min={1}
                    clampBehavior="none"
                    allowDecimal={false}
                    value={form.priority}
                    onChange={(v) => set("priority", v)}
                    error={errors.priority}
                  />
                </Group>
                <Checkbox
                  label="Exclusive"
                  description="A customer in several exclusive campaigns of a night gets only the highest-priority one"
                  checked={form.exclusive}
                  onChange={(e) => set("exclusive", e.currentTarget.checked)}
                  error={errors.exclusive}
                />
                {refused && (
                  <Alert color="red" title="The campaign was refused" role="alert">
                    {other.length > 0
                      ? other.join("; ")
                      : "The server refused some fields: see the messages at them."}
                  </Alert>
                )}
                {!refused && <Problem error={save.error} title="The campaign was not saved" />}
                {!readOnly && (
                  <Group>
                    <Button
                      type="submit"
                      loading={save.isPending && save.variables === "scheduled"}
                    >
                      Save
                    </Button>
                    {id === undefined && (
                      <Button
                        variant="default"
                        loading={save.isPending && save.variables === "draft"}
                        onClick={() => save.mutate("draft")}
                      >
                        Save as draft
                      </Button>
                    )}
                  </Group>
                )}
              </Stack>
            </Fieldset>
          </Grid.Col>
          <Grid.Col span={5}>
            <PreviewPanel
              preview={preview.data}
              pending={preview.isFetching || debounced !== json}
              error={preview.error}
              timeZone={form.timeZone}
              missing={missing}
            />
          </Grid.Col>
        </Grid>
      </form>
    </Stack>
  );
}
