/** Users: every user with their role and state; add one, change a role, disable or enable. */
import {
  Badge,
  Button,
  Card,
  Group,
  Loader,
  NativeSelect,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../app/session";
import { Problem } from "../../components/Problem";

type User = Schemas["User"];
type Role = User["role"];
type Change = { role?: Role; disabled?: boolean };

const ROLES: { value: Role; label: string }[] = [
  { value: "viewer", label: "viewer (reads everything)" },
  { value: "marketer", label: "marketer (builds groups and campaigns)" },
  { value: "admin", label: "admin (settings and users too)" },
];

function UserRow({ user, me }: { user: User; me: boolean }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: async (body: Change) =>
      unwrap(await api.PATCH("/api/users/{id}", { params: { path: { id: user.id } }, body })),
    onSuccess: (updated) =>
      client.setQueryData<User[]>(["users"], (users) =>
        users?.map((u) => (u.id === updated.id ? updated : u)),
      ),
  });
  return (
    <>
      <Table.Tr>
        <Table.Td>
          {user.email}
          {me && (
            <Text span size="xs" c="dimmed">
              {" "}
              (you)
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <NativeSelect
            aria-label={`Role of ${user.email}`}
            size="xs"
            value={user.role}
            disabled={change.isPending}
            data={ROLES.map((r) => ({ value: r.value, label: r.value }))}
            onChange={(e) => change.mutate({ role: e.currentTarget.value as Role })}
          />
        </Table.Td>
        <Table.Td>
          <Badge color={user.disabled ? "gray" : "green"} variant="light">
            {user.disabled ? "disabled" : "enabled"}
          </Badge>
        </Table.Td>
        <Table.Td>{new Date(user.createdAt).toLocaleDateString()}</Table.Td>
        <Table.Td>
          <Button
            size="xs"
            variant="default"
            loading={change.isPending}
            aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
            onClick={() => change.mutate({ disabled: !user.disabled })}
          >
            {user.disabled ? "Enable" : "Disable"}
          </Button>
        </Table.Td>
      </Table.Tr>
      {change.error && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <Problem error={change.error} title={`Not changed: ${user.email}`} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function AddUser() {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("marketer");
  const [password, setPassword] = useState("");
  const add = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/users", { body: { email, role, password } })),
    onSuccess: (user) => {
      client.setQueryData<User[]>(["users"], (users) => users && [...users, user]);
      client.invalidateQueries({ queryKey: ["users"] });
      setEmail("");
      setPassword("");
    },
  });
  const fieldError = (name: string) =>
    add.error instanceof ApiError ? add.error.fieldError(name) : undefined;
  const fieldless = add.error && !(add.error instanceof ApiError && add.error.fields.length > 0);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Add a user">
      <Stack gap="sm">
        <Title order={4}>Add a user</Title>
        <Group align="flex-start" grow>
          <TextInput
            label="Email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError("email")}
          />
          <NativeSelect
            label="Role"
            value={role}
            data={ROLES}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
            error={fieldError("role")}
          />
          <PasswordInput
            label="Password"
            description="At least 12 characters"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fieldError("password")}
          />
        </Group>
        {fieldless && <Problem error={add.error} title="The user was not added" />}
        {add.isSuccess && (
          <Text size="sm" role="status">
            Added {add.data.email} as {add.data.role}.
          </Text>
        )}
        <Group>
          <Button type="submit" loading={add.isPending}>
            Add user
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function UsersSettings() {
  const session = useSession();
  const users = useQuery({
    queryKey: ["users"],
    queryFn: async () => unwrap(await api.GET("/api/users")),
  });
  return (
    <Stack>
      <Title order={3}>Users</Title>
      <Text size="sm" c="dimmed">
        Viewers read everything; marketers also build target groups and campaigns; admins also see
        these settings and manage users. There is always at least one enabled admin.
      </Text>
      <Problem error={users.error} />
      {users.isPending && <Loader aria-label="Loading the users" />}
      {users.data && (
        <Table aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th>Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.map((u) => (
              <UserRow key={u.id} user={u} me={u.email === session.user.email} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <AddUser />
    </Stack>
  );
}
