/** The signed-in session: who it is, its role, and the redirect to sign-in when there is none. */
import { Center, Loader } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { createContext, useContext } from "react";
import { Navigate, useLocation } from "react-router";
import { ApiError, api, type Schemas, setCsrfToken, unwrap } from "../api/client";

export type Session = Schemas["Session"];
export type Role = Session["role"];

const RANK: Record<Role, number> = { viewer: 0, marketer: 1, admin: 2 };

/** Whether `role` may do what `least` may. */
export function allows(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

const SessionContext = createContext<Session | null>(null);

/** The session of the signed-in user (inside RequireSession). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside RequireSession");
  return session;
}

/** The query of the current session; null when signed out or expired. */
export function useSessionQuery() {
  return useQuery({
    queryKey: ["session"],
    queryFn: async () => {
      try {
        const session = unwrap(await api.GET("/api/session"));
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Forgets the session everywhere after a sign-out or an expired session. */
export function useForgetSession(): () => void {
  const client = useQueryClient();
  return () => {
    setCsrfToken(null);
    client.setQueryData(["session"], null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
  };
}

/** Renders its children for a signed-in user; sends anyone else to sign-in, and back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const session = useSessionQuery();
  if (session.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (!session.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}

/** Renders its children only for `least` and up; others are told the page is not theirs. */
export function RequireRole({ least, children }: { least: Role; children: ReactNode }) {
  const session = useSession();
  if (!allows(session.role, least))
    return (
      <Center h="60vh" role="alert">
        This page is for {least}s: you are signed in as a {session.role}.
      </Center>
    );
  return <>{children}</>;
}
