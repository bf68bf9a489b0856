/** Every page at its own URL: deep links and the back button work. */
import { Center, Stack, Text, Title } from "@mantine/core";
import { createBrowserRouter, Link, Navigate, RouterProvider } from "react-router";
import { AnalysisPage } from "../pages/analysis/AnalysisPage";
import { AuditPage } from "../pages/audit/AuditPage";
import { CampaignBuilderPage } from "../pages/campaigns/CampaignBuilder";
import { CampaignsPage } from "../pages/campaigns/CampaignsPage";
import { CustomerPage } from "../pages/customers/CustomerPage";
import { CustomersPage } from "../pages/customers/CustomersPage";
import { OverviewPage } from "../pages/Overview";
import { PlanPage } from "../pages/plan/PlanPage";
import { RunPage } from "../pages/runs/RunPage";
import { RunsPage } from "../pages/runs/RunsPage";
import { SignInPage } from "../pages/SignIn";
import { AttributesSettings } from "../pages/settings/Attributes";
import { SettingsLayout } from "../pages/settings/Settings";
import { SfmcSettings } from "../pages/settings/Sfmc";
import { UsersSettings } from "../pages/settings/Users";
import { NewTargetGroupPage, TargetGroupPage } from "../pages/target-groups/TargetGroupPage";
import { TargetGroupsPage } from "../pages/target-groups/TargetGroupsPage";
import { Shell } from "./Shell";
import { RequireRole, RequireSession } from "./session";

function NotFound() {
  return (
    <Center h="60vh">
      <Stack align="center">
        <Title order={2}>No such page</Title>
        <Text>
          <Link to="/">Back to the overview</Link>
        </Text>
      </Stack>
    </Center>
  );
}

const router = createBrowserRouter([
  { path: "/sign-in", element: <SignInPage /> },
  {
    path: "/",
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    children: [
      { index: true, element: <OverviewPage /> },
      { path: "customers", element: <CustomersPage /> },
      { path: "customers/:contactKey", element: <CustomerPage /> },
      { path: "plan", element: <PlanPage /> },
      { path: "campaigns", element: <CampaignsPage /> },
      {
        path: "campaigns/new",
        element: (
          <RequireRole least="marketer">
            <CampaignBuilderPage />
          </RequireRole>
        ),
      },
      { path: "campaigns/:id", element: <CampaignBuilderPage /> },
      { path: "campaigns/:id/analysis", element: <AnalysisPage /> },
      { path: "runs", element: <RunsPage /> },
      { path: "runs/:id", element: <RunPage /> },
      {
        path: "audit",
        element: (
          <RequireRole least="admin">
            <AuditPage />
          </RequireRole>
        ),
      },
      {
        path: "settings",
        element: (
          <RequireRole least="admin">
            <SettingsLayout />
          </RequireRole>
        ),
        children: [
          { index: true, element: <Navigate to="/settings/sfmc" replace /> },
          { path: "sfmc", element: <SfmcSettings /> },
          { path: "attributes", element: <AttributesSettings /> },
          { path: "users", element: <UsersSettings /> },
        ],
      },
      { path: "target-groups", element: <TargetGroupsPage /> },
      { path: "target-groups/new", element: <NewTargetGroupPage /> },
      { path: "target-groups/:id", element: <TargetGroupPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
