// SIGINT / SIGTERM during training: the handler only raises a flag; the trainer checks it at the next
// optimizer-step boundary, writes a checkpoint and stops cleanly.
#pragma once

namespace jpqd::training {

void install_interrupt_handlers();
bool interrupt_requested();
int interrupt_signal();

}  // namespace jpqd::training
