/** Settings (admins): SFMC, the customer attribute schema and users, each tab at its own URL. */
import { Stack, Tabs, Title } from "@mantine/core";
import { Outlet, useLocation, useNavigate } from "react-router";

const TABS = [
  { to: "/settings/sfmc", label: "SFMC" },
  { to: "/settings/attributes", label: "Customer attributes" },
  { to: "/settings/users", label: "Users" },
] as const;

export function SettingsLayout() {
  const location = useLocation();
  const navigate = useNavigate();
  const current = TABS.find((t) => location.pathname.startsWith(t.to))?.to ?? null;
  return (
    <Stack>
      <Title order={2}>Settings</Title>
      <Tabs value={current} onChange={(to) => to && navigate(to)} aria-label="Settings">
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t.to} value={t.to}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </Stack>
  );
}
