import { CustomersTables1763774000000 } from './1763774000000-customers-tables.migration';

export const customersMigrations = [CustomersTables1763774000000];
