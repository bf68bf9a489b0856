/** Every page at its own URL: deep links and the back button work. */
import { Center, Stack, Text, Title } from "@mantine/core";
import { createBrowserRouter, Link, RouterProvider } from "react-router";
import { OverviewPage } from "../pages/Overview";
import { RunPage, RunsPage } from "../pages/Runs";
import { SignInPage } from "../pages/SignIn";
import { NewTargetGroupPage, TargetGroupPage } from "../pages/target-groups/TargetGroupPage";
import { TargetGroupsPage } from "../pages/target-groups/TargetGroupsPage";
import { Shell } from "./Shell";
import { RequireSession } from "./session";

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
      { path: "runs", element: <RunsPage /> },
      { path: "runs/:id", element: <RunPage /> },
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
