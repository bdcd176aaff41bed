// What a check was doing when its deadline struck: its failure names it ("no answer within 5s while
// in the TLS handshake with 10.0.0.5:443").
export interface Stage {
  now: string;
}
