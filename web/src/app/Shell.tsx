/** The frame of every page: the sidebar of real links, and the header with the user and sign-out. */
import { AppShell, Badge, Button, Group, NavLink, Text, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { allows, useForgetSession, useSession } from "./session";

const PAGES = [
  { to: "/", label: "Overview", least: "viewer" },
  { to: "/target-groups", label: "Target groups", least: "viewer" },
  { to: "/campaigns", label: "Campaigns", least: "viewer" },
  { to: "/plan", label: "Plan", least: "viewer" },
  { to: "/customers", label: "Customers", least: "viewer" },
  { to: "/runs", label: "Runs", least: "viewer" },
  { to: "/audit", label: "Audit log", least: "admin" },
  { to: "/settings", label: "Settings", least: "admin" },
] as const;

export function Shell() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const forget = useForgetSession();
  const signOut = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/session")),
    onSettled: () => {
      forget();
      navigate("/sign-in");
    },
  });
  const active = (to: string) =>
    to === "/" ? location.pathname === "/" : location.pathname.startsWith(to);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>Nightjar</Title>
          <Group gap="sm">
            <Text size="sm">{session.user.email}</Text>
            <Badge variant="light">{session.role}</Badge>
            <Button
              variant="default"
              size="xs"
              onClick={() => signOut.mutate()}
              loading={signOut.isPending}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {PAGES.filter((p) => allows(session.role, p.least)).map((p) => (
          <NavLink key={p.to} component={Link} to={p.to} label={p.label} active={active(p.to)} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
