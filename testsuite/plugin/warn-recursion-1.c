/* warn-recursion: every cycle of the call graph, once, at its first
   member, with its members, and a note at each call that closes it.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-recursion" } */

volatile int sink;

__attribute__ ((noipa)) int
self (int n) /* { lstk-warning "linkstack: 'self' is recursive: its stack depth has no bound" } */
{
  if (n <= 0)
    return 0;
  int r = self (n - 1); /* { lstk-note "linkstack: 'self' calls 'self' here" } */
  sink = r;
  return r + 1;
}

int ping (int n);

__attribute__ ((noipa)) int
pong (int n) /* { lstk-warning "linkstack: 'pong' is part of a recursive cycle of 2 functions \((ping, pong|pong, ping)\): their stack depth has no bound" } */
{
  if (n <= 0)
    return 0;
  int r = ping (n - 1); /* { lstk-note "linkstack: 'pong' calls 'ping' here" } */
  sink = r;
  return r + 2;
}

__attribute__ ((noipa)) int
ping (int n)
{
  if (n <= 0)
    return 1;
  int r = pong (n - 1); /* { lstk-note "linkstack: 'ping' calls 'pong' here" } */
  sink = r;
  return r + 3;
}

int not_recursive (int n) { return ping (n) + self (n); }
