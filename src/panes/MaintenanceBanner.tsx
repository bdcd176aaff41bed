// The maintenance banner line: yellow while a flag holds, inverse magenta once it has expired.
import { Box, Text } from 'ink';
import type { MaintenanceBanner } from '../app/maintenance-view.js';

export function BannerLine({ banner }: { banner: MaintenanceBanner }) {
  return (
    <Text bold inverse={banner.expired} color={banner.expired ? 'magenta' : 'yellow'} wrap="truncate">
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
