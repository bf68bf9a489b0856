/** Sign-in: email and password; wrong credentials are said in place; then back where one was. */
import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { api, setCsrfToken, unwrap } from "../api/client";
import { useSessionQuery } from "../app/session";

/** Only a path of this app: never a redirect to another site. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const client = useQueryClient();
  const session = useSessionQuery();
  const form = useForm({ initialValues: { email: "", password: "" } });
  const signIn = useMutation({
    mutationFn: async (values: { email: string; password: string }) =>
      unwrap(await api.POST("/api/session", { body: values })),
    onSuccess: (signedIn) => {
      setCsrfToken(signedIn.csrfToken);
      client.setQueryData(["session"], signedIn);
      navigate(next, { replace: true });
    },
  });
  if (session.data) return <Navigate to={next} replace />;
  return (
    <Center h="100vh" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={380} component="main">
        <form onSubmit={form.onSubmit((values) => signIn.mutate(values))}>
          <Stack>
            <Title order={2}>Sign in to Nightjar</Title>
            {signIn.error && (
              <Alert color="red" role="alert" title="Not signed in">
                {signIn.error.message}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              withAsterisk={false}
              {...form.getInputProps("email")}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              withAsterisk={false}
              {...form.getInputProps("password")}
            />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
