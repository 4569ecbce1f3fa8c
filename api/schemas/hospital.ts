import { z } from 'zod';

/** The certificate presented at admission: for `mdtrt_cert_type` 02 (ID card) the resident ID number. */
export const HospitalPersonQuery = z.object({
  mdtrt_cert_no: z.string().min(1, 'the certificate number (mdtrt_cert_no) is required').max(50),
});
