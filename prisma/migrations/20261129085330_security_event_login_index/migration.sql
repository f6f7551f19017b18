-- CreateIndex
CREATE INDEX "security_event_action_ip_at_idx" ON "security_event"("action", "ip", "at");

