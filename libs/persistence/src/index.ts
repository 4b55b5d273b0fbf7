export * from './feedback/feedback.entity';
export * from './feedback/feedback.repository';
export * from './optimizer-reports/optimizer-report.entity';
export * from './optimizer-reports/optimizer-report.repository';
export * from './persistence.constants';
export * from './persistence.module';
export * from './routing-records/routing-record.entity';
export * from './routing-records/routing-record.repository';
