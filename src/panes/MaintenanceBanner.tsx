// The maintenance banner line: the warn tone while a flag holds, inverse in the expired tone once it has expired.
import { Box, Text } from 'ink';
import type { MaintenanceBanner } from '../app/maintenance-view.js';
import { useTheme } from './theme.js';

export function BannerLine({ banner }: { banner: MaintenanceBanner }) {
  const theme = useTheme();
  return (
    <Text bold inverse={banner.expired} color={banner.expired ? theme.expired : theme.warn} wrap="truncate">
      {banner.text}
    </Text>
  );
}

/** The line above the panes while any host is in maintenance. */
export function SummaryBar({ banner, width }: { banner: MaintenanceBanner; width: number }) {
  return (
    <Box width={width} height={1}>
      <BannerLine banner={banner} />
    </Box>
  );
}
