export * from './lib/ports';
export * from './lib/classifications';
export * from './lib/customer.commands';
export * from './lib/customers.queries';
import { RunCustomerCommandHandler } from './lib/customer.commands';
import { GetCustomerHandler, ListCustomersHandler } from './lib/customers.queries';

export const customersHandlers = [RunCustomerCommandHandler, ListCustomersHandler, GetCustomerHandler];
export * from './lib/processing-map';
