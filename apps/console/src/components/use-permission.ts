import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from '../api/queries';

/** Whether the signed-in person holds a permission (the API refuses with 403 otherwise; the page says so first). */
export function usePermission(permission: string): boolean | undefined {
  const { data: session } = useQuery(sessionQuery);
  return session === undefined || session === null ? undefined : session.permissions.includes(permission);
}
