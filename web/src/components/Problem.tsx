/** An API failure in words, where it happened. */
import { Alert } from "@mantine/core";

export function Problem({
  error,
  title = "Something went wrong",
}: {
  error: unknown;
  title?: string;
}) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={title} role="alert">
      {message}
    </Alert>
  );
}
