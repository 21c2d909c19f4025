export const DialogIds = {
  main: 'main',
  returns: 'returns',
  returnsWaterfall: 'returns.waterfall',
  confirm: 'prompt.confirm',
  choice: 'prompt.choice',
  date: 'prompt.date',
  number: 'prompt.number',
} as const;
