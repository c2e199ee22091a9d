import { ValueTransformer } from 'typeorm';

/** mysql2 returns BIGINT as a string; our ids and revisions stay far below 2^53. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) =>
    value === null || value === undefined ? value : Number(value),
};
