/** Until accounts exist (issue 10), the actor is whoever the caller says, else "anonymous". */
export const actorOf = (headers: Record<string, unknown>) => {
  const value = headers['x-drydock-actor'];
  return typeof value === 'string' && /^[\w .@-]{1,100}$/.test(value) ? value : 'anonymous';
};
