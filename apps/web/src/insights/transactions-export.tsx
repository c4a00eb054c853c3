import { Alert, Button, Stack, Text } from '@mantine/core';
import type { MeridianError } from '@meridian/client';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { describeWait, errorMessage } from '../api/error-messages';
import type { DownloadedFile } from '../api/exports-api';
import { formatDay } from './insights-format';

/** Hands a downloaded file to the browser to save, under its name. */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file by then; the object URL only holds memory.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Download as CSV": the customer's transactions over `range` from the BFF's
 * `/exports/transactions.csv`, saved as the file it names. Each refusal
 * (a bad range, too many exports this hour, insights unavailable) is shown.
 */
export function TransactionsExport({ range, save = saveFile }: { range: { from: string; to: string } | undefined; save?: (file: DownloadedFile) => void }) {
  const api = useApi();
  const download = useMutation<DownloadedFile, MeridianError, { from: string; to: string }>({
    mutationFn: (wanted) => api.exports.transactionsCsv(wanted),
    onSuccess: save,
  });
  const refusal =
    download.error &&
    errorMessage(download.error, {
      BAD_USER_INPUT: (error) => `These dates cannot be exported: ${error.message}`,
      RATE_LIMITED: (error) => `You have made many exports this hour. Try again ${error.retryAfter !== undefined ? `in ${describeWait(error.retryAfter)}` : 'later'}.`,
      SERVICE_UNAVAILABLE: 'Exports are not available just now. Try again in a moment.',
    });
  return (
    <Stack gap="xs" align="flex-start">
      <Button variant="default" disabled={!range} loading={download.isPending} onClick={() => range && download.mutate(range)}>
        Download transactions (CSV)
      </Button>
      {range && (
        <Text size="xs" c="dimmed">
          Every transaction from {formatDay(range.from)} to {formatDay(range.to)}, for a spreadsheet.
        </Text>
      )}
      {refusal && (
        <Alert color="red" role="alert" title="Not downloaded">
          {refusal}
        </Alert>
      )}
      {download.isSuccess && (
        <Text size="sm" role="status">
          Downloaded {download.data.fileName}.
        </Text>
      )}
    </Stack>
  );
}
