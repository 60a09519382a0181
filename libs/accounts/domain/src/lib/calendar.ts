/** Calendar arithmetic the account policies need; shared in the kernel. */
export { addMonths, addWorkingDays, ageOn, isIsoDate, isoDate } from '@attest/kernel';
