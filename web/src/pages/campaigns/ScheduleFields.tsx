/** The builder's schedule: once on a date, daily, weekly on chosen weekdays, or monthly on a day. */
import { Chip, Group, Input, NumberInput, Radio, Stack, TextInput } from "@mantine/core";
import {
  type CampaignForm,
  type FieldErrors,
  SCHEDULE_TYPES,
  type ScheduleType,
  WEEKDAYS,
  type Weekday,
} from "./form";

const TYPE_LABELS: Record<ScheduleType, string> = {
  once: "Once",
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
};
const DAY_LABELS: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

export function ScheduleFields({
  form,
  errors,
  set,
}: {
  form: CampaignForm;
  errors: FieldErrors;
  set: <K extends keyof CampaignForm>(field: K, value: CampaignForm[K]) => void;
}) {
  const once = form.scheduleType === "once";
  return (
    <Stack gap="xs">
      <Radio.Group
        label="Schedule"
        value={form.scheduleType}
        onChange={(v) => set("scheduleType", v as ScheduleType)}
        error={errors.scheduleType}
      >
        <Group mt={4}>
          {SCHEDULE_TYPES.map((t) => (
            <Radio key={t} value={t} label={TYPE_LABELS[t]} />
          ))}
        </Group>
      </Radio.Group>
      <Group grow align="flex-start">
        <TextInput
          type="date"
          label={once ? "Date" : "First date"}
          value={form.date}
          onChange={(e) => set("date", e.currentTarget.value)}
          error={errors.date}
        />
        {!once && (
          <TextInput
            type="date"
            label="Last date"
            description="Leave empty to run until stopped"
            value={form.end}
            onChange={(e) => set("end", e.currentTarget.value)}
            error={errors.end}
          />
        )}
      </Group>
      {form.scheduleType === "weekly" && (
        <Input.Wrapper label="Weekdays" error={errors.days}>
          <Chip.Group
            multiple
            value={form.days}
            onChange={(days) =>
              set(
                "days",
                WEEKDAYS.filter((d) => days.includes(d)),
              )
            }
          >
            <Group gap={6} mt={4}>
              {WEEKDAYS.map((d) => (
                <Chip key={d} value={d} size="sm">
                  {DAY_LABELS[d]}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Input.Wrapper>
      )}
      {form.scheduleType === "monthly" && (
        <NumberInput
          label="Day of the month"
          description="29–31 fall on the last day of a shorter month"
          min={1}
          max={31}
          value={form.monthDay}
          onChange={(v) => set("monthDay", v)}
          error={errors.monthDay}
        />
      )}
    </Stack>
  );
}
